"""Every write of the supervision app, one module per part: ``plans`` (items, approval, the year's
total, merges), ``visits`` (scheduling, codes, caps, results, evaluations), ``tasks`` (工作问效)."""
