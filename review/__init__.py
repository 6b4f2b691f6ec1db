"""Review and incident response: permissions, handling trail, queue queries, feedback."""
