"""Production at central: operations released to the shop edge, work records from its events, norm-hours."""
