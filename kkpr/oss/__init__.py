"""OSS-RBA host to host: OSS's message shapes, the KKPR application it sends, and the
statuses and decision we send back (docs/oss.md).

Pure: no web framework, no database driver. ``fields`` holds the documented types and
lengths, ``polygon`` the ``lat_lng`` vertices, ``messages`` the three calls' bodies and
their response envelopes, ``status`` the ``kd_status`` codes.
"""
