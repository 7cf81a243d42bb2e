import VirtCheckCLI

ProcessSetup.prepare()
Entry.main()
