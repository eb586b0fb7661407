## sdk/tools/: the e4 command and the libmosquitto helper library (issue 3)
