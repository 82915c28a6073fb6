# Models of this app arrive with its own issue; the app is installed so that they have a home.
