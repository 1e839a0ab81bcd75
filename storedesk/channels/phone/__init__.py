"""Phone: a provider-agnostic voice webhook (Twilio-style form payloads, Twilio's signature)."""
