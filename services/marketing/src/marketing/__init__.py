"""Marketing: campaigns, segments, e-mail campaigns and sequences, consent, lead scoring."""
