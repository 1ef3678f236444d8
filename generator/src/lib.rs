//! Maillage's generator: loads, validates and renders a site.
