print("patchtop")
