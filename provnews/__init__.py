"""provnews: follow administrative reform in Vietnamese provincial news."""
