"""Templates, styles and the small script the HTML exports are built from."""
