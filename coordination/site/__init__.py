"""The public service's own pages: mentions légales, accessibility statement, privacy, site map,
contact form; and what robots and browsers ask of every site (robots.txt, sitemap.xml, icons)."""
