package cellsauth

const isDarwin = false
