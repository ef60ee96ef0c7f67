"""Small helpers every layer uses, with no knowledge of the city or the analysis:
atomic file writes (:mod:`common.files`), JSON conversion of NumPy/pandas values
(:mod:`common.jsonable`) and argument checks (:mod:`common.checks`)."""
