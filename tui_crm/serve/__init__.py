"""`tui-crm serve`: the CRM over SSH, for keyholders only.

The server (asyncssh) never imports the interface: each SSH session runs the app in
a process of its own on a pseudo-terminal (``tui_crm.serve.session``), as the user
its key names.
"""
