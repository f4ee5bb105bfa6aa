"""Printed documents, each built from forms/ definitions with a CJK font embedded."""
