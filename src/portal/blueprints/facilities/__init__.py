"""Training facilities (研修施設). Views come with the JSPM renewal feature."""
