"""Client records. (The full CRM record, search, consents and GDPR come with the clients
issue; bookings need the record itself now.)"""
