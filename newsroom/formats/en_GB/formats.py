"""Dates as a British publication writes them, in full: "25 June 2018" (Django's own
en_GB formats abbreviate the month); a date with a time names its zone ("25 June 2018,
10:00 BST"), since a reader elsewhere cannot tell which clock "10:00" is on. Formats
not set here are Django's en_GB ones."""

DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "j F Y, H:i T"
YEAR_MONTH_FORMAT = "F Y"
MONTH_DAY_FORMAT = "j F"
