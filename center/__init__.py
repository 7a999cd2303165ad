"""center: the intranet of a community party-mass service center (党群服务中心)."""

import os

# Piccolo finds its engine and apps through this module; set it before anything imports Piccolo tables.
os.environ.setdefault("PICCOLO_CONF", "center.piccolo_conf")

__version__ = "0.1.0"
