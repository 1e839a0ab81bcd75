"""The email channel: inbound from IMAP, an SMTP receiver, ESP webhooks and files, one pipeline;
outbound replies through Django's email backend (SMTP or anymail). See docs/email.md."""
