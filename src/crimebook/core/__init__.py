"""Small shared pieces: errors, logging filters, the key file accessor."""
