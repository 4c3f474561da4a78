"""The contract between edge and central: messages, event schemas, topics, the MQTT link, the sync protocols.

Both sides import it; it imports neither. Storage stays with each side: the protocols here take callbacks.
"""
