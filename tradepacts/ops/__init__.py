"""Operations scripts: the load test (``make loadtest``) and the fault drills (``make faults``)."""
