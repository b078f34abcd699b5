"""Subshift client library (generated parts are rebuilt by `subshift contracts generate`)."""
