"""One way for each common job, shared by every domain: French dates and wording, signed links,
validators, the CSV writer. Imports no domain and no Flask glue (``coordination.web``)."""
