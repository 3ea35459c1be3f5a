"""Open-data exports and imports; reads the directory through its services and serializers."""
