"""The demo and benchmark data loaders (CENTER_DEMO=1 only), outside the production services they call.

district.py: the demo district `center demo` loads (contract.md "Demo district"); catalog.py: its 43-item
catalog; scale.py: `center demo --scale N`, the district-sized data set `make bench` measures. They build their
rows with the domain's rules (center.domain) and the services' chain functions, never with copies of them.
"""
