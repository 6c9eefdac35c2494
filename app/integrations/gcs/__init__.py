"""Files in a Google Cloud Storage bucket (client.py), chosen by `STORAGE_BACKEND=gcs`."""
