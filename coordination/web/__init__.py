"""Flask glue shared by every domain: the form base and the service-error contract, the current
actor, the page of a link that can no longer be used. Imports no domain."""
