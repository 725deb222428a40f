"""optlab beyond one machine, on Dask (``dask.distributed``): see the README section "Beyond one machine".

* :mod:`~optlab.distributed.cluster`: ``connect("local" | "local:N" | "tcp://host:port")``;
* :mod:`~optlab.distributed.shards`: a finite sum cut into row blocks, one per worker;
* :mod:`~optlab.distributed.param_server`: EC500 Algorithm 13 and the asynchronous parameter server;
* :mod:`~optlab.distributed.sweep`: ``optlab verify --cluster`` (checks as Dask tasks).

Dask is an optional dependency (``pip install 'optlab[dask]'``); importing this package without it
works, and the first call that needs Dask says what to install.
"""
from .cluster import ClusterError, connect, parse_cluster
from .param_server import DistributedTrace, async_parameter_server, parallel_sgd, staleness_check
from .shards import Shards, shard

__all__ = ["ClusterError", "connect", "parse_cluster", "DistributedTrace", "async_parameter_server",
           "parallel_sgd", "staleness_check", "Shards", "shard"]
