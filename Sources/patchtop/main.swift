PatchTop.main()
