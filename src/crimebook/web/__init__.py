"""The workspace's web shell: layout, middleware, pages. Views only parse input, call one
service or selector, and render (CONVENTIONS 1)."""
