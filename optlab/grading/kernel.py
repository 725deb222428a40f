"""Run a notebook in a Jupyter kernel of *this* Python (for instructors' checks and CI).

The kernel is started from the running interpreter (``sys.executable -m ipykernel_launcher``) whatever
kernel specs are installed, so a fresh clone needs no ``ipykernel install`` step; only ``nbclient`` and
``ipykernel`` (the ``dev`` extra) are required.

    >>> from optlab.grading.notebook import code_cell, new_notebook
    >>> nb = execute_notebook(new_notebook([code_cell("print(6 * 7)")]))  # doctest: +SKIP
    >>> nb["cells"][0]["outputs"][0]["text"]  # doctest: +SKIP
    '42\\n'
"""
from __future__ import annotations

import copy


def _kernel_manager():
    from ipykernel.kernelspec import RESOURCES, get_kernel_dict
    from jupyter_client import KernelManager
    from jupyter_client.kernelspec import KernelSpec, KernelSpecManager

    class ThisPython(KernelSpecManager):
        def get_kernel_spec(self, kernel_name):
            return KernelSpec(resource_dir=RESOURCES, **get_kernel_dict())

    return KernelManager(kernel_name="optlab-python", kernel_spec_manager=ThisPython())


def execute_notebook(nb, *, timeout=120, allow_errors=False, cwd=None):
    """Execute a copy of ``nb`` (a dict) cell by cell and return it with outputs.

    With ``allow_errors=False`` the first failing cell raises ``nbclient.exceptions.CellExecutionError``.
    """
    import nbformat
    from nbclient import NotebookClient

    node = nbformat.from_dict(copy.deepcopy(nb))
    client = NotebookClient(node, km=_kernel_manager(), timeout=timeout, allow_errors=allow_errors,
                            resources={"metadata": {"path": str(cwd) if cwd else "."}})
    client.execute()
    return node


def cell_errors(nb):
    """``(cell index, ename, evalue)`` for each error output of an executed notebook."""
    return [(i, out.get("ename"), out.get("evalue")) for i, cell in enumerate(nb["cells"])
            for out in cell.get("outputs", []) if out.get("output_type") == "error"]
