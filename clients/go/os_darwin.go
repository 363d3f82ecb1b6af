package cellsauth

const isDarwin = true
