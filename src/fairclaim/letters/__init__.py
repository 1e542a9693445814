"""Notice, reminder and receipt templates and their PDF rendering."""
