"""Labels at the edge (DEV-2): the site's label printers and the labels API."""
