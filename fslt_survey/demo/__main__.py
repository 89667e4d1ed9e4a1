"""``python -m fslt_survey.demo``: regenerate the bundled demo exports."""

from fslt_survey.demo.generator import main

raise SystemExit(main())
