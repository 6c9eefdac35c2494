"""Fakes of the providers' HTTP APIs, served on a real local port, so the official SDKs run
unchanged against them. Shapes follow the providers' documentation and the recorded samples
in ../shared/provider-samples."""
