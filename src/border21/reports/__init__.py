"""Charts (Altair/Vega-Lite) and self-contained HTML reports over the warehouse."""
