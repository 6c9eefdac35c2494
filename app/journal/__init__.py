"""The till's inalterable sales journal: signed, chained, closed daily, monthly and yearly
(CGI 286 I-3° bis). Other domains use `app.journal.public`; see docs/till.md."""
