"""Channel adapters: one folder per channel kind (email, livechat, social, sms, phone)."""
