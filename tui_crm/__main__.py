from tui_crm.cli import main

raise SystemExit(main())
