"""The pure domain: requests, policies, the decision engine. Standard library only."""
