"""Models shipped with malgeum (see NOTICE for what each was trained on)."""
