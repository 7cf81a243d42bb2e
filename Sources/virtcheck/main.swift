import VirtCheckCLI

Entry.main()
