## man/: mdoc pages.  Each component's local.mk adds its pages to
## dist_man_MANS; every page is linted here.
TESTS += tests/lint-man.sh
EXTRA_DIST += tests/lint-man.sh
