"""kkpr's HTTP adapter: the conformity API, OGC API Features, and the web pages."""
