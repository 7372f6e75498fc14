"""From plan to run: what to rent (``rent``), the launch files the real tools read (``files.run_config``), and
the run measured against the plan (``measured``). Nothing here launches anything."""
