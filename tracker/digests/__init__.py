"""The status digest for DG CONNECT: built weekly and on demand, archived, emailed as HTML with its PDF."""
