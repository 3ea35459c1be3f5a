"""The coordinators' view of the network's health: reads every domain through its services."""
