"""Performance dashboard: scorecards and trends in the browser, a thin shell over kinerja.indicators."""
