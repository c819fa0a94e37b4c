"""Landing-zone ingestion: adapters, parsing, discovery, the file registry and quarantine."""
