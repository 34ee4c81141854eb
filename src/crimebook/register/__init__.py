"""The register: incidents, acts, persons, involvements, units, posts, deployments,
sources, staffing records and the controlled vocabularies (DESIGN §4)."""
